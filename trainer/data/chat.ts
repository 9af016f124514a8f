/**
 * Chat-shaped records: `{"messages": [{"role", "content"}, ...]}` (the OpenAI / Hugging Face form) or ShareGPT's
 * `{"conversations": [{"from", "value"}, ...]}` (from human / gpt / system, mapped to user / assistant / system).
 * They are rendered by a model's chat template (../hf/chat.ts), with the loss on the assistant turns.
 */
import type { AlpacaRecord } from './alpaca';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatRecord {
  messages: ChatMessage[];
}

/** ShareGPT's speaker names → chat roles; other names pass through unchanged. */
const SHAREGPT_ROLES: Record<string, string> = { human: 'user', gpt: 'assistant', system: 'system' };

/** Is this JSON value a chat record (it has a `messages` or `conversations` field)? */
export function isChatShaped(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return 'messages' in value || 'conversations' in value;
}

/** One JSON value → a chat record; `where` names the record in errors (its file, number and line). */
export function toChatRecord(value: unknown, where: string, fail: (message: string) => Error): ChatRecord {
  if (!isChatShaped(value)) {
    throw fail(`${where} is not a chat record: the file's first record has "messages", so every record needs it`);
  }
  const v = value as Record<string, unknown>;
  const shareGpt = !('messages' in v);
  const list = shareGpt ? v.conversations : v.messages;
  const field = shareGpt ? 'conversations' : 'messages';
  if (!Array.isArray(list) || list.length === 0) throw fail(`${where}: "${field}" must be a non-empty array`);
  const [roleKey, textKey] = shareGpt ? ['from', 'value'] : ['role', 'content'];
  const messages = list.map((m, i): ChatMessage => {
    const at = `${where}, ${field}[${i}]`;
    if (typeof m !== 'object' || m === null) throw fail(`${at} is not an object with "${roleKey}" and "${textKey}"`);
    const role = (m as Record<string, unknown>)[roleKey];
    const content = (m as Record<string, unknown>)[textKey];
    if (typeof role !== 'string' || typeof content !== 'string') {
      throw fail(`${at} needs string "${roleKey}" and "${textKey}" fields`);
    }
    return { role: shareGpt ? (SHAREGPT_ROLES[role] ?? role) : role, content };
  });
  if (!messages.some((m) => m.role === 'assistant')) {
    throw fail(`${where} has no assistant turn: the loss is on the assistant's replies, so each record needs one`);
  }
  return { messages };
}

/**
 * A chat record as an instruction record for the held-out split (records.ts splitRecords): the user (and
 * system) turns are the question, the assistant turns the answer.
 */
export function chatAsInstruction(r: ChatRecord): AlpacaRecord {
  const join = (keep: (role: string) => boolean) =>
    r.messages
      .filter((m) => keep(m.role))
      .map((m) => m.content)
      .join('\n');
  return { instruction: join((role) => role !== 'assistant'), output: join((role) => role === 'assistant') };
}

/** An instruction record as a two-turn chat: the instruction (and its input) from the user, the output as reply. */
export function instructionAsChat(r: AlpacaRecord): ChatRecord {
  const user = r.input ? `${r.instruction}\n\n${r.input}` : r.instruction;
  return {
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: r.output },
    ],
  };
}
