import { post, signIn, Problem } from '../api.js';
import { h, field } from '../dom.js';

/**
 * Join a workshop with its code, or sign in with a token (an instructor's, the admin's). Either
 * opens a browser session: an HttpOnly cookie the page's scripts never read, so the token is not
 * kept anywhere a script could take it from.
 */
export function loginView(done) {
  const error = h('p.error', { role: 'alert' });
  const code = h('input', { type: 'text', autocomplete: 'off', required: true, spellcheck: false });
  const name = h('input', { type: 'text', autocomplete: 'nickname', required: true, maxLength: 64 });
  const token = h('input', { type: 'password', autocomplete: 'off', required: true });
  const attempt = async (e, work) => {
    e.preventDefault();
    error.textContent = '';
    try {
      await work();
      await done();
    } catch (err) {
      error.textContent = err instanceof Problem ? err.describe() : String(err.message || err);
    }
  };
  const join = h('form.card', { 'aria-labelledby': 'join-title', on: { submit: e => attempt(e, async () => {
    const issued = await post('/workshops/join', { joinCode: code.value.trim(), name: name.value.trim() });
    await signIn(issued.token);
  }) } }, h('h2#join-title', 'Join a workshop'), field('Join code', code, 'The code your instructor gave the room.'),
  field('Your name', name, 'How the instructor sees you.'), h('button', { type: 'submit' }, 'Join'));
  const signin = h('form.card', { 'aria-labelledby': 'signin-title', on: { submit: e => attempt(e, () => signIn(token.value.trim())) } },
    h('h2#signin-title', 'Sign in with a token'), field('Token', token, 'An instructor\'s or the admin\'s twlab token (twlab login prints where it is kept).'),
    h('button', { type: 'submit' }, 'Sign in'));
  return h('div.login', h('h1', 'twlab: watch TCP teardown on a real kernel'), error, h('div.cards', join, signin));
}
