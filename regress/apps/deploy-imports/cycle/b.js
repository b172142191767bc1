// deploy.sql: the other side of the import cycle, importing './a' without .js
import { a } from './a';
export function b() {
  return 'b';
}
export const viaA = () => a();
