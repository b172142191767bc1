// deploy.sql: one side of an import cycle, imported without .js as a namespace
import { b } from './b.js';
export const a = () => 'a' + b();
