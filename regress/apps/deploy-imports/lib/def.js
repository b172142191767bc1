// deploy.sql: a default export, imported by main.js
export default 'default value';
