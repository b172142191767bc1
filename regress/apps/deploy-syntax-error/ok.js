// deploy.sql: a good module beside a bad one; the whole deployment is refused
export const x = 1;
