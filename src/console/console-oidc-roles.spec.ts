import { consoleRoleOf, displayNameOf } from './console-oidc-roles';

describe(consoleRoleOf.name, () => {
  const mapping = { claim: 'groups', support: ['helpdesk', 'tier2'], admin: ['pxauth-admins'] };

  it('maps an array claim to support or admin, admin winning when both match', () => {
    expect(consoleRoleOf({ groups: ['staff', 'tier2'] }, mapping)).toBe('support');
    expect(consoleRoleOf({ groups: ['pxauth-admins'] }, mapping)).toBe('admin');
    expect(consoleRoleOf({ groups: ['helpdesk', 'pxauth-admins'] }, mapping)).toBe('admin');
  });

  it('maps a string claim', () => {
    expect(consoleRoleOf({ role: 'helpdesk' }, { ...mapping, claim: 'role' })).toBe('support');
  });

  it('refuses no claim, an unlisted value, a near miss and a claim of another shape', () => {
    expect(consoleRoleOf({}, mapping)).toBeNull();
    expect(consoleRoleOf({ groups: ['everyone'] }, mapping)).toBeNull();
    expect(consoleRoleOf({ groups: ['Helpdesk', 'helpdesk '] }, mapping)).toBeNull();
    expect(consoleRoleOf({ groups: { helpdesk: true } }, mapping)).toBeNull();
    expect(consoleRoleOf({ groups: [['helpdesk']] }, mapping)).toBeNull();
  });
});

describe(displayNameOf.name, () => {
  it('prefers the name, then the login name, then the email, then the subject', () => {
    expect(displayNameOf({ name: 'Ana Ruiz', email: 'ana@bank.example' }, 's1')).toBe('Ana Ruiz');
    expect(displayNameOf({ preferred_username: 'aruiz', email: 'ana@bank.example' }, 's1')).toBe('aruiz');
    expect(displayNameOf({ email: 'ana@bank.example' }, 's1')).toBe('ana@bank.example');
    expect(displayNameOf({ name: '' }, 's1')).toBe('s1');
    expect(displayNameOf({ name: 'x'.repeat(300) }, 's1')).toHaveLength(200);
  });
});
