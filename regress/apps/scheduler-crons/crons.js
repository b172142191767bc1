// crons.js: every kind of schedule the convex package has.
import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();
crons.interval("every 30 s", { seconds: 30 }, internal.jobs.tick, { label: "interval" });
crons.hourly("hourly", { minuteUTC: 17 }, internal.jobs.tick, { label: "hourly" });
crons.daily("daily", { hourUTC: 4, minuteUTC: 5 }, internal.jobs.tick, { label: "daily" });
crons.weekly("weekly", { dayOfWeek: "tuesday", hourUTC: 6, minuteUTC: 0 }, internal.jobs.tick, { label: "weekly" });
crons.monthly("monthly", { day: 1, hourUTC: 0, minuteUTC: 0 }, internal.jobs.tick, { label: "monthly" });
crons.cron("cron", "*/15 9-17 * * 1-5", internal.jobs.tick, { label: "cron" });
export default crons;
