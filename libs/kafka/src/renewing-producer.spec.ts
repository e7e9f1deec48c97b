import { KafkaJSNonRetriableError } from 'kafkajs';
import { RENEWING_ERRORS, renewReasonOf } from './renewing-producer';

// The broker's error objects as kafkajs builds them from a response's error code.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode: (code: number) => Error & { type: string; retriable: boolean };
};

// kafkajs's retrier wraps an error it gives up on as KafkaJSNonRetriableError(e, { cause: e }) (not in its types).
const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, m: { cause: Error }) => Error;

describe('renewReasonOf', () => {
  it('names the broker errors that only a new producer id gets past, also wrapped by the retrier', () => {
    const byCode = new Map([
      [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
      [59, 'UNKNOWN_PRODUCER_ID'],
      [47, 'INVALID_PRODUCER_EPOCH'],
    ]);
    for (const [code, type] of byCode) {
      const e = createErrorFromCode(code);
      expect({ type: e.type, retriable: e.retriable }).toEqual({ type, retriable: false }); // kafkajs gives up on them
      expect(renewReasonOf(e)).toBe(type);
      expect(renewReasonOf(new NonRetriable(e, { cause: e }))).toBe(type);
    }
    expect([...byCode.values()].sort()).toEqual([...RENEWING_ERRORS].sort());
  });

  it('leaves every other error to the caller', () => {
    for (const code of [6, 7, 10, 46, 48, 87])
      expect(renewReasonOf(createErrorFromCode(code))).toBeUndefined();
    expect(renewReasonOf(new Error('The producer is disconnected'))).toBeUndefined();
    expect(renewReasonOf(undefined)).toBeUndefined();
  });
});
