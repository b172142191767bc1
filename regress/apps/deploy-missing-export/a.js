// deploy.sql: an import of a name convex/server does not export
import { nothere } from 'convex/server';
