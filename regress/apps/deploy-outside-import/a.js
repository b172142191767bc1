// deploy.sql: an import whose path leaves the deployment's root
import { x } from '../outside.js';
