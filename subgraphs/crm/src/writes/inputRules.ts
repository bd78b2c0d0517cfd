// Input rules shared by the CRM's mutations: trimming and length limits on free text, checked
// before any transaction starts. They only reject; they never touch the database.
import { crossdockError, ErrorCode } from "@crossdock/schema";

/** A required piece of text: trimmed, non-empty, at most `max` characters. */
export function requiredText(value: string, field: string, max: number): string {
  const text = value.trim();
  if (text === "") throw crossdockError(ErrorCode.BAD_USER_INPUT, `${field} must not be empty`, { field });
  if (text.length > max) throw crossdockError(ErrorCode.BAD_USER_INPUT, `${field} must be at most ${max} characters`, { field });
  return text;
}

/** Optional text: absent stays null, but a present value obeys the same rules as required text. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  return requiredText(value, field, max);
}

export const LIMITS = {
  key: 64,
  subject: 200,
  description: 4000,
  resolution: 4000,
  kind: 64,
  summary: 1000,
  externalKey: 200,
  owner: 120,
} as const;
