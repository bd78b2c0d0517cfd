// The Kafka source's ack token, `${topic}/${partition}/${offset}`: everything ack() needs to
// find the message again, and readable in dead letters. Kafka topic names cannot contain "/".

export interface KafkaPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

export function formatAckToken(topic: string, partition: number, offset: bigint | string): string {
  return `${topic}/${partition}/${offset}`;
}

/** null for a token this source did not issue. */
export function parseAckToken(token: string): KafkaPosition | null {
  const match = /^(.+)\/(\d+)\/(\d+)$/.exec(token);
  if (!match) return null;
  return { topic: match[1]!, partition: Number(match[2]), offset: BigInt(match[3]!) };
}
