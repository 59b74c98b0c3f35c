import { IoTClient } from '@aws-sdk/client-iot';
import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';
import { positiveIntegerSetting } from './event';

/**
 * Attempts per call, counting the first. A deploy of hundreds of versions against IoT's rate
 * limit needs many short waits rather than a few long ones (measured by `npm run bench`: at
 * 10 TPS one call needed 18 attempts): 30 attempts of at most 5 s stay far below the
 * function's timeout.
 */
const DEFAULT_MAX_ATTEMPTS = 30;
/** Base of the exponential backoff, in milliseconds. */
const DEFAULT_BASE_DELAY_MS = 250;
/**
 * Longest single wait between two attempts. Longer waits leave the rate limit's tokens
 * unused while the last calls sleep (a 20 s ceiling cost 30-50 % over the lower bound).
 */
const MAX_DELAY_MS = 5_000;

/**
 * Retries throttling (IoT answers ThrottlingException with HTTP 400: the SDK classifies it by
 * name), transient and 5xx errors with exponential backoff and full jitter; every other error
 * fails at once.
 *
 * Unlike the SDK's standard strategy it keeps no client-wide retry quota: a handler that waits
 * out a long throttling storm must keep retrying each call rather than give up on all of them.
 */
export class BackoffRetryStrategy implements RetryStrategyV2 {
  public readonly mode = 'standard';

  constructor(private readonly maxAttempts: number, private readonly baseDelayMs: number) {}

  public async acquireInitialRetryToken(_retryTokenScope: string): Promise<RetryToken> {
    return token(0, 0);
  }

  public async refreshRetryTokenForRetry(previous: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const retries = previous.getRetryCount() + 1;
    if (errorInfo.errorType === 'CLIENT_ERROR' || retries >= this.maxAttempts) {
      throw new Error('No retry: the error is not retryable or the attempts are used up');
    }
    const ceiling = Math.min(MAX_DELAY_MS, this.baseDelayMs * 2 ** retries);
    const hint = errorInfo.retryAfterHint ? errorInfo.retryAfterHint.getTime() - Date.now() : 0;
    return token(retries, Math.max(hint, Math.round(Math.random() * ceiling)));
  }

  public recordSuccess(_token: RetryToken): void {}
}

function token(retryCount: number, delay: number): RetryToken {
  return { getRetryCount: () => retryCount, getRetryDelay: () => delay };
}

let client: IoTClient | undefined;

/**
 * The IoT client, shared by the invocations of a warm Lambda. Region, credentials and the
 * endpoint (`AWS_ENDPOINT_URL_IOT`) come from the SDK's standard configuration chain.
 */
export function iotClient(): IoTClient {
  if (!client) {
    const { maxAttempts, baseDelayMs } = retrySettings();
    client = new IoTClient({ retryStrategy: new BackoffRetryStrategy(maxAttempts, baseDelayMs) });
  }
  return client;
}

/** Attempts and backoff base; tests shorten the base through the environment. */
export function retrySettings(): { maxAttempts: number; baseDelayMs: number } {
  return {
    maxAttempts: positiveIntegerSetting('IOT_RETRY_MAX_ATTEMPTS', DEFAULT_MAX_ATTEMPTS),
    baseDelayMs: positiveIntegerSetting('IOT_RETRY_BASE_DELAY_MS', DEFAULT_BASE_DELAY_MS),
  };
}
