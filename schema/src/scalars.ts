// The shared scalars of the graph. Decimal travels as a string so money and quantities
// stay exact end to end; DateTime is an ISO-8601 string in UTC. Every subgraph uses these
// same definitions so a value means the same thing wherever it is resolved.
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { crossdockError, ErrorCode } from "./errors.js";
import { Decimal, isDecimalLiteral } from "./decimal.js";

function parseDecimalInput(value: unknown): string {
  if (typeof value === "string" && isDecimalLiteral(value.trim())) return new Decimal(value.trim()).toFixed();
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  throw crossdockError(ErrorCode.INVALID_DECIMAL, `Decimal must be a string such as "12.50" (at most 38 digits); got ${JSON.stringify(value) ?? typeof value}`);
}

function literalValue(ast: ValueNode): unknown {
  if (ast.kind === Kind.STRING) return ast.value;
  if (ast.kind === Kind.INT) return Number(ast.value);
  if (ast.kind === Kind.FLOAT) return ast.value;
  return undefined;
}

export const DecimalScalar = new GraphQLScalarType({
  name: "Decimal",
  description: 'An exact decimal number serialized as a string, e.g. "1234.50".',
  serialize(value) {
    if (value === null || value === undefined) return value;
    // A valid decimal string keeps its scale ("1234.50" stays "1234.50"); money is formatted by its owner.
    if (typeof value === "string") return isDecimalLiteral(value) ? value : new Decimal(value).toFixed();
    if (typeof value === "number") return new Decimal(value).toFixed();
    if (typeof value === "object" && "toFixed" in value && typeof value.toFixed === "function") return (value as Decimal).toFixed();
    return new Decimal(String(value)).toFixed();
  },
  parseValue: parseDecimalInput,
  parseLiteral(ast) {
    if (ast.kind === Kind.FLOAT) return parseDecimalInput(ast.value);
    return parseDecimalInput(literalValue(ast));
  },
});

function parseDateTimeInput(value: unknown): Date {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw crossdockError(
    ErrorCode.INVALID_DATETIME,
    `DateTime must be an ISO-8601 string such as "2026-01-31T12:00:00Z"; got ${JSON.stringify(value) ?? typeof value}`,
  );
}

export const DateTimeScalar = new GraphQLScalarType({
  name: "DateTime",
  description: "An ISO-8601 timestamp in UTC, e.g. 2026-01-31T12:00:00.000Z.",
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === "string") return new Date(value).toISOString();
    if (typeof value === "number") return new Date(value).toISOString();
    throw new TypeError("DateTime cannot serialize this value");
  },
  parseValue: parseDateTimeInput,
  parseLiteral(ast) {
    return parseDateTimeInput(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});

/** Resolver map entries every subgraph spreads into its resolvers. */
export const scalarResolvers = { Decimal: DecimalScalar, DateTime: DateTimeScalar };
