// Hono environment: what the guard puts on the context for the handlers.
import type { Session, User } from '../db/schema.ts';

export type AppEnv = {
  Variables: {
    session: Session | null;
    /** The signed-in, unlocked user of the session, else null. */
    user: User | null;
  };
};
