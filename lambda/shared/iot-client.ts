import { IoTClient } from '@aws-sdk/client-iot';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

/** Attempts per call, counting the first. Throttling and 5xx are retried; other errors fail fast. */
const DEFAULT_MAX_ATTEMPTS = 10;
/** Base of the exponential backoff, in milliseconds. */
const DEFAULT_BASE_DELAY_MS = 250;
/** Longest single wait between two attempts. */
const MAX_DELAY_MS = 20_000;

let client: IoTClient | undefined;

/**
 * The IoT client, shared by every invocation of a warm Lambda.
 *
 * Region, credentials and the endpoint (`AWS_ENDPOINT_URL_IOT`) come from the SDK's standard
 * configuration chain. The SDK classifies errors by name (ThrottlingException arrives as HTTP
 * 400) and by 5xx status; this strategy retries them with exponential backoff and full jitter.
 */
export function iotClient(): IoTClient {
  if (!client) {
    const maxAttempts = positiveInteger(process.env.IOT_RETRY_MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS);
    const baseDelayMs = positiveInteger(process.env.IOT_RETRY_BASE_DELAY_MS, DEFAULT_BASE_DELAY_MS);
    client = new IoTClient({
      retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt: number) =>
        Math.round(Math.random() * Math.min(MAX_DELAY_MS, baseDelayMs * 2 ** attempt))),
    });
  }
  return client;
}

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = value === undefined ? NaN : Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}
