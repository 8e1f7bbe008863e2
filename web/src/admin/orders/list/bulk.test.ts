import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../../api/problem';
import { bulkEligible, runBulk, summarizeBulk } from './bulk';

describe('bulk order actions', () => {
  it('counts an order in when the server lists the action for it, and only then', () => {
    expect(bulkEligible('ship', { allowedActions: ['ship', 'cancel', 'refund'] })).toBe(true);
    expect(bulkEligible('ship', { allowedActions: ['cancel'] })).toBe(false);
    expect(bulkEligible('cancel', { allowedActions: ['cancel'] })).toBe(true);
    expect(bulkEligible('cancel', { allowedActions: ['deliver', 'refund'] })).toBe(false);
  });

  it('reports each order on its own, a refusal with the problem detail', async () => {
    const results = await runBulk(
      [
        { id: 'a', number: '1001' },
        { id: 'b', number: '1002' },
      ],
      (id) => {
        if (id === 'b') {
          return Promise.reject(
            new ProblemError({
              title: 'Conflict',
              status: 409,
              code: 'INVALID_TRANSITION',
              detail: 'Order 1002 is not paid',
            }),
          );
        }
        return Promise.resolve({ status: 'shipped' as const });
      },
      (status) => `now ${status}`,
    );
    expect(results).toEqual([
      { id: 'a', number: '1001', ok: true, message: 'now shipped' },
      { id: 'b', number: '1002', ok: false, message: 'Order 1002 is not paid' },
    ]);
    expect(summarizeBulk('ship', results)).toBe('1 of 2 orders shipped, 1 refused');
    expect(summarizeBulk('cancel', results.slice(0, 1))).toBe('1 of 1 order cancelled');
  });
});
