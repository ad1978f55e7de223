import { Terminal } from '/vendor/xterm/lib/xterm.mjs';
import { FitAddon } from '/vendor/xterm-addon-fit/lib/addon-fit.mjs';
import { h, clear, field } from './dom.js';

/**
 * A shell in one node of the student's lab: xterm.js on the server's WebSocket
 * (/api/v1/labs/ID/nodes/NODE/shell, the session cookie and this page's Origin). Keystrokes go as
 * {"input"}, window sizes as {"resize"}; the terminal's output comes as binary messages, which
 * xterm decodes as UTF-8 across messages. The server says when it opened and why it closed.
 */
export class ShellPanel {
  constructor(lab) {
    this.lab = lab;
    this.node = h('select', lab.nodes.map(n => h('option', { value: n.name }, n.name)));
    this.status = h('p.shell-status', { 'aria-live': 'polite' },
      'A shell runs as an unprivileged user in the node\'s network namespace: ss -tan, nstat -az, nc.');
    this.screen = h('div.terminal', { hidden: true });
    this.openButton = h('button', { type: 'submit' }, 'Open a shell');
    this.closeButton = h('button.secondary', { type: 'button', hidden: true, on: { click: () => this.close() } },
      'Close the shell');
    this.el = h('section.card.shell', { 'aria-labelledby': 'shell-title' }, h('h2#shell-title', 'Shell'),
      h('form.inline', { on: { submit: e => { e.preventDefault(); this.open(); } } }, field('Node', this.node),
        this.openButton, this.closeButton),
      this.status, this.screen);
    this.onWindowResize = () => this.fit?.fit();
  }

  open() {
    this.close();
    const node = this.node.value;
    this.screen.hidden = false;
    clear(this.screen);
    this.term = new Terminal({ convertEol: false, cursorBlink: true, fontSize: 13, scrollback: 2000,
      screenReaderMode: true });
    this.fit = new FitAddon();
    this.term.loadAddon(this.fit);
    this.term.open(this.screen);
    this.fit.fit();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/labs/${encodeURIComponent(this.lab.id)}/nodes/`
      + `${encodeURIComponent(node)}/shell?columns=${this.term.cols}&rows=${this.term.rows}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onmessage = m => {
      if (typeof m.data !== 'string') {
        this.term.write(new Uint8Array(m.data));
        return;
      }
      const message = JSON.parse(m.data);
      if (message.opened) {
        this.shown(`${message.opened.user}@${message.opened.node}: closes after `
          + `${Math.round(message.opened.idleTimeoutSeconds / 60)} min without input or output.`);
        this.term.focus();
      } else if (message.closed) {
        ended = true;
        this.shown(`The shell closed (${message.closed.reason}): ${message.closed.message}`);
      } else if (message.status) {
        ended = true;
        this.shown(`${message.title}: ${message.detail}`, true);
      }
    };
    let ended = false;
    ws.onclose = () => {
      if (!ended) this.shown('The shell closed: its connection ended.');
      this.openButton.hidden = false;
      this.closeButton.hidden = true;
    };
    this.term.onData(data => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ input: data })));
    this.term.onResize(({ cols, rows }) => ws.readyState === WebSocket.OPEN
      && ws.send(JSON.stringify({ resize: { columns: cols, rows } })));
    window.addEventListener('resize', this.onWindowResize);
    this.openButton.hidden = true;
    this.closeButton.hidden = false;
  }

  shown(text, problem = false) {
    this.status.textContent = text;
    this.status.classList.toggle('error', problem);
  }

  close() {
    window.removeEventListener('resize', this.onWindowResize);
    if (this.ws) this.ws.close();
    this.ws = null;
  }

  /** Leaving the page closes the shell; its output stays on screen until then. */
  leave() {
    this.close();
    this.term?.dispose();
  }
}
