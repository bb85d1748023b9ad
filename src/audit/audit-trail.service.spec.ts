import { ErrorId } from '@/common/errors/error-id';
import type { AuditEvent } from './audit-event.entity';
import type { AuditEventRepository } from './audit-event.repository';
import { decodeCursor, encodeCursor } from './audit-query';
import { AuditTrail } from './audit-trail.service';

describe(AuditTrail.name, () => {
  const event = (id: number): AuditEvent => ({
    id,
    at: Date.UTC(2026, 0, 1),
    type: 'login',
    outcome: 'success',
    userId: 'u1',
    institutionId: 'default',
    clientId: null,
    path: null,
    staffId: null,
    staffSub: null,
    staffName: null,
    requestId: null,
    sourceIp: null,
    detail: null,
  });
  const setup = (rows: AuditEvent[]) => {
    const repo = { page: jest.fn().mockResolvedValue(rows) };
    return { sut: new AuditTrail(repo as unknown as AuditEventRepository), repo };
  };

  it('pages newest first, and its cursor asks for what is older than the last event shown', async () => {
    const { sut, repo } = setup([event(9), event(8), event(7)]);
    const first = await sut.page({ user_id: 'u1', limit: 2 });
    expect(first.events.map((e) => e.id)).toEqual([9, 8]);
    expect(repo.page).toHaveBeenCalledWith(expect.objectContaining({ userId: 'u1' }), 3);
    repo.page.mockResolvedValue([event(7)]);
    const second = await sut.page({ user_id: 'u1', limit: 2, cursor: first.next_cursor! });
    expect(repo.page).toHaveBeenLastCalledWith(expect.objectContaining({ beforeId: 8 }), 3);
    expect(second).toMatchObject({ events: [{ id: 7 }], next_cursor: null });
  });

  it('leads back to the newer page: prev_cursor asks for what is newer than the first event shown', async () => {
    const { sut, repo } = setup([event(7), event(6), event(5)]);
    const older = await sut.page({ user_id: 'u1', limit: 2, cursor: encodeCursor({ beforeId: 8 }) });
    expect(older.events.map((e) => e.id)).toEqual([7, 6]);
    // The repository answers the oldest after the id first; the page is still newest first.
    repo.page.mockResolvedValue([event(8), event(9), event(10)]);
    const newer = await sut.page({ user_id: 'u1', limit: 2, cursor: older.prev_cursor! });
    expect(repo.page).toHaveBeenLastCalledWith(expect.objectContaining({ afterId: 7 }), 3);
    expect(newer.events.map((e) => e.id)).toEqual([9, 8]);
    expect(decodeCursor(newer.next_cursor!)).toEqual({ beforeId: 8 });
    expect(decodeCursor(newer.prev_cursor!)).toEqual({ afterId: 9 });
    repo.page.mockResolvedValue([event(10)]);
    expect((await sut.page({ limit: 2, cursor: newer.prev_cursor! })).prev_cursor).toBeNull();
    expect((await sut.page({ limit: 2 })).prev_cursor).toBeNull();
  });

  it('names the path from the column, or from the detail of an event older than the column', async () => {
    const { sut } = setup([
      { ...event(2), path: 'oauth' },
      { ...event(1), detail: JSON.stringify({ path: 'legacy' }) },
    ]);
    expect((await sut.page({})).events.map((e) => e.path)).toEqual(['oauth', 'legacy']);
  });

  it('refuses a cursor it did not give before reading anything', async () => {
    const { sut, repo } = setup([]);
    for (const cursor of [
      'bm9wZQ',
      encodeCursor({ beforeId: 1 }).slice(0, -1) + 'x',
      Buffer.from('ev1+:1e3').toString('base64url'),
    ])
      await expect(sut.page({ cursor })).rejects.toMatchObject({ id: ErrorId.INVALID_REQUEST });
    expect(repo.page).not.toHaveBeenCalled();
  });
});
