// Key/value settings in the `configurations` table (spec 01 §1.3).
import { eq } from 'drizzle-orm';
import type { Database } from './client.ts';
import { configurations } from './schema.ts';

export async function readSetting(db: Database, key: string): Promise<string | null> {
  const [row] = await db.orm.select({ value: configurations.value }).from(configurations).where(eq(configurations.key, key));
  return row?.value ?? null;
}

export async function writeSetting(db: Database, key: string, value: string): Promise<void> {
  await db.orm.insert(configurations).values({ key, value }).onConflictDoUpdate({ target: configurations.key, set: { value } });
}
