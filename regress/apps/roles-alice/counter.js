// roles.sql: the app alice deploys, to show who deployed it
import { mutation } from './_generated/server';
export const bump = mutation(() => 'deployed by alice');
