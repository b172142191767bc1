// deploy.sql: an import of a module the deployment lacks (indented: line 2, column 21)
  import { x } from './missing';
export const y = x;
