// TCP states as the console shows them: each has a colour AND a short label, so that nothing is
// told by colour alone (colour-blind safe); the palette is Okabe and Ito's, darkened where white
// text sits on it to keep a contrast of at least 4.5:1.
const STATES = {
  SYN_SENT: { short: 'SYN-S', colour: '#8a5a00', text: '#fff' },
  SYN_RECV: { short: 'SYN-R', colour: '#8a5a00', text: '#fff' },
  NEW_SYN_RECV: { short: 'NSYN', colour: '#8a5a00', text: '#fff' },
  ESTABLISHED: { short: 'EST', colour: '#0063a6', text: '#fff' },
  FIN_WAIT1: { short: 'FW1', colour: '#6b3fa0', text: '#fff' },
  FIN_WAIT2: { short: 'FW2', colour: '#8e3b8a', text: '#fff' },
  CLOSE_WAIT: { short: 'CW', colour: '#b3261e', text: '#fff' },
  CLOSING: { short: 'CLG', colour: '#5c5c5c', text: '#fff' },
  LAST_ACK: { short: 'LACK', colour: '#a4480a', text: '#fff' },
  TIME_WAIT: { short: 'TW', colour: '#00705a', text: '#fff' },
  LISTEN: { short: 'LSN', colour: '#3b4a5a', text: '#fff' },
  CLOSED: { short: 'CLS', colour: '#d0d4d9', text: '#111' },
};

export const ORDER = ['SYN_SENT', 'SYN_RECV', 'NEW_SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT',
  'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'LISTEN', 'CLOSED'];

/** "TCP_STATE_TIME_WAIT" (proto3 JSON) → "TIME_WAIT". */
export function stateName(value) {
  return String(value || '').replace(/^TCP_STATE_/, '') || 'CLOSED';
}

export function style(state) {
  return STATES[state] || { short: state.slice(0, 4), colour: '#444', text: '#fff' };
}
