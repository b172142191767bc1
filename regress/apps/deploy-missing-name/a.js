// deploy.sql: an import of a name b.js does not export
import { y } from './b.js';
