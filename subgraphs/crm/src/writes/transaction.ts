// The transaction settings every CRM write uses. PGlite is a single connection, so writes queue
// behind each other: waiting for a turn may take longer than Prisma's 2 s default, while each
// transaction itself must stay short.
export const WRITE_TRANSACTION = { maxWait: 10_000, timeout: 10_000 } as const;
