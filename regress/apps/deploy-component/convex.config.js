// deploy.sql: an app that installs Convex components, which udf refuses naming them
import { defineApp } from 'convex/server';
import agent from '@convex-dev/agent/convex.config';
import rateLimiter from "@convex-dev/rate-limiter/convex.config";
const app = defineApp();
app.use(agent);
app.use(rateLimiter);
export default app;
