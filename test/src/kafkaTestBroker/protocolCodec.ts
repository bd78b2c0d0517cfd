// Big-endian primitives of the classic (non-flexible) Kafka wire format: the only encoding the
// fake broker needs, because it advertises no flexible API versions. Throws on truncated input
// instead of guessing, so a mismatched field layout shows up as a closed connection in tests.

export class ProtocolReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  private take(size: number): number {
    if (this.offset + size > this.buffer.length) throw new RangeError(`truncated request: need ${size} bytes at ${this.offset}`);
    const at = this.offset;
    this.offset += size;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1));
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  int64(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }

  /** STRING and NULLABLE_STRING share the layout; -1 means null. */
  string(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    const at = this.take(length);
    return this.buffer.toString("utf8", at, at + length);
  }

  requiredString(): string {
    return this.string() ?? "";
  }

  bytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) return null;
    const at = this.take(length);
    return this.buffer.subarray(at, at + length);
  }

  /** null for a -1 length: Metadata uses that for "all topics". */
  array<T>(read: (reader: ProtocolReader) => T): T[] | null {
    const length = this.int32();
    if (length < 0) return null;
    const items: T[] = [];
    for (let i = 0; i < length; i++) items.push(read(this));
    return items;
  }
}

export class ProtocolWriter {
  private readonly chunks: Buffer[] = [];

  private push(size: number, write: (buffer: Buffer) => void): this {
    const buffer = Buffer.allocUnsafe(size);
    write(buffer);
    this.chunks.push(buffer);
    return this;
  }

  int8(value: number): this {
    return this.push(1, (b) => b.writeInt8(value));
  }

  int16(value: number): this {
    return this.push(2, (b) => b.writeInt16BE(value));
  }

  int32(value: number): this {
    return this.push(4, (b) => b.writeInt32BE(value));
  }

  int64(value: bigint | number): this {
    return this.push(8, (b) => b.writeBigInt64BE(BigInt(value)));
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const encoded = Buffer.from(value, "utf8");
    this.int16(encoded.length);
    this.chunks.push(encoded);
    return this;
  }

  bytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    this.int32(value.length);
    this.chunks.push(value);
    return this;
  }

  array<T>(items: readonly T[] | null, write: (writer: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
