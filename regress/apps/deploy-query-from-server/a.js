// deploy.sql: query imported from convex/server, which only has queryGeneric
import { query } from 'convex/server';
