import { printWelcome } from './seed';

function welcome(...args: Parameters<typeof printWelcome>): string {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    printWelcome(...args);
    return log.mock.calls.map((call) => call.join(' ')).join('\n');
  } finally {
    log.mockRestore();
  }
}

describe('the start-up banner', () => {
  it('gives the admin UI address when the UI is served, with the demo logins', () => {
    const text = welcome(3000, true, true, true);
    expect(text).toContain('Admin UI:     http://localhost:3000/\n');
    expect(text).toContain('consortium administrator');
  });

  it('says the admin UI is not served instead of giving an address that would answer 404', () => {
    const text = welcome(3000, false, false, false);
    expect(text).toContain('Admin UI:     not served (ADMIN_UI_DIR is empty or holds no build)');
    expect(text).not.toContain('http://localhost:3000/\n');
    expect(text).toContain('API:          http://localhost:3000/api/v1');
  });
});
