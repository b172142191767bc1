// A cron every second, and one whose runs outlast its interval.
import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();
crons.interval("tick", { seconds: 1 }, internal.jobs.log, { tag: "tick" });
crons.interval("slowtick", { seconds: 1 }, internal.jobs.slow, { loops: 3e9, tag: "slowtick" });
export default crons;
