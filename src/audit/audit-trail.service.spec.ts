import { ErrorId } from '@/common/errors/error-id';
import type { AuditEvent } from './audit-event.entity';
import type { AuditEventRepository } from './audit-event.repository';
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

  it('refuses a cursor it did not give before reading anything', async () => {
    const { sut, repo } = setup([]);
    await expect(sut.page({ cursor: 'bm9wZQ' })).rejects.toMatchObject({ id: ErrorId.INVALID_REQUEST });
    expect(repo.page).not.toHaveBeenCalled();
  });
});
