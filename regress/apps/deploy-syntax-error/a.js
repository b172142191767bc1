// deploy.sql: a syntax error, reported with its line and column
export const = ;
