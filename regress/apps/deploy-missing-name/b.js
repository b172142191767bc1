// deploy.sql: the module a.js imports from, which exports x but not y
export const x = 1;
