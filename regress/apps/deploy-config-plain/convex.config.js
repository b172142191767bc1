// deploy.sql: a convex.config.js that installs no component deploys as usual
import { defineApp } from 'convex/server';
export default defineApp();
