// deploy.sql: a top-level await that never settles
await new Promise(() => {});
