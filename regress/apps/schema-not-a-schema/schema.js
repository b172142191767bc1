// db_schema.sql (over regress/apps/example): a schema.js whose default export is not a schema
export default 42;
