/**
 * A pasted shell text → the words of each command, the way a POSIX shell splits them: 'single' and "double"
 * quotes, backslash escapes, `\` line continuations, `#` comments, `NAME=value` assignments substituted into
 * later `$NAME` / `${NAME}`. Newlines, `;`, `&&`, `||` and `&` end a command; a pipe or a redirection ends the
 * part that is read (`| tee log`, `> out.log`), with a note. Nothing is run: command substitution is refused.
 * Written here rather than taken from shell-quote: that package turns a `\` continuation into an empty word,
 * lets a `#` comment swallow the following lines, and expands unset variables to nothing.
 */

export interface ShellCommand {
  words: string[];
  /** Where the command starts in the text (1-based line), for messages. */
  line: number;
}

export interface ShellText {
  commands: ShellCommand[];
  /** Parts of the text that were read past, one sentence each. */
  notes: string[];
  /** Text that cannot be read; each names the problem. */
  problems: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function shellWords(text: string): ShellText {
  const out: ShellText = { commands: [], notes: [], problems: [] };
  const vars = new Map<string, string>();
  let words: string[] = [];
  let word: string | null = null;
  let line = 1;
  let start = 1;
  let skipping: string | null = null; // a pipe or redirection: read past the rest of this command
  let i = 0;
  const endWord = () => {
    if (word !== null && skipping === null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (skipping) out.notes.push(`line ${start}: ${skipping} and what follows it are not read`);
    skipping = null;
    // Leading NAME=value words are assignments (a line of them sets shell variables for later lines).
    let k = 0;
    while (k < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k])) k++;
    if (k === words.length) {
      for (const w of words) vars.set(w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1));
    } else out.commands.push({ words: words.slice(k), line: start });
    words = [];
  };
  const add = (s: string) => {
    word = (word ?? '') + s;
  };
  const expand = (): void => {
    // text[i] is '$'
    const rest = text.slice(i + 1);
    if (rest.startsWith('(') && skipping === null) {
      out.problems.push(`line ${line}: command substitution $(…) is not run here; paste the value instead`);
      i += 1;
      return;
    }
    const braced = rest.startsWith('{') ? /^\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(rest) : null;
    const bare = braced ? null : NAME.exec(rest);
    const name = braced?.[1] ?? bare?.[0];
    if (!name) {
      add('$');
      i += 1;
      return;
    }
    i += 1 + (braced ? braced[0].length : name.length);
    const value = vars.get(name);
    if (value !== undefined) add(value);
    else if (skipping === null) {
      out.problems.push(`line ${line}: $${name} is not set in the pasted text; paste its value instead`);
    }
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      const n = text[i + 1];
      if (n === '\n') line++;
      else if (n === '\r' && text[i + 2] === '\n') {
        line++;
        i++;
      } else if (n !== undefined) add(n);
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        out.problems.push(`line ${line}: a ' quote is never closed`);
        break;
      }
      const quoted = text.slice(i + 1, close);
      line += quoted.split('\n').length - 1;
      add(quoted);
      i = close + 1;
      continue;
    }
    if (c === '"') {
      i++;
      add('');
      let closed = false;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && '$`"\\\n'.includes(text[i + 1] ?? '')) {
          if (text[i + 1] !== '\n') add(text[i + 1]);
          else line++;
          i += 2;
        } else if (d === '$') expand();
        else if (d === '`') {
          out.problems.push(`line ${line}: command substitution \`…\` is not run here; paste the value instead`);
          i++;
        } else {
          if (d === '\n') line++;
          add(d);
          i++;
        }
      }
      if (!closed) {
        out.problems.push(`line ${line}: a " quote is never closed`);
        break;
      }
      continue;
    }
    if (c === '$') {
      expand();
      continue;
    }
    if (c === '`') {
      out.problems.push(`line ${line}: command substitution \`…\` is not run here; paste the value instead`);
      i++;
      continue;
    }
    if (c === '#' && word === null) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '\r') {
      const two = text.slice(i, i + 2);
      if (c === '|' && two !== '||') {
        endWord();
        skipping ??= 'a pipe (|)';
        i++;
        continue;
      }
      endCommand();
      if (c === '\n') line++;
      i += two === '&&' || two === '||' ? 2 : 1;
      start = line;
      continue;
    }
    if (c === '>' || c === '<') {
      if (word !== null && /^\d+$/.test(word)) word = null; // `2>` is one operator
      endWord();
      skipping ??= `a redirection (${c})`;
      i += text[i + 1] === '&' || text[i + 1] === c ? 2 : 1; // >&, >>, <<
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    add(c);
    i++;
  }
  endCommand();
  return out;
}
