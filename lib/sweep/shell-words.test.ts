import { describe, expect, it } from 'vitest';
import { shellWords } from './shell-words';

const words = (text: string) => shellWords(text).commands.map((c) => c.words);

describe('shellWords', () => {
  it('splits like a shell: quotes, escapes, `\\` continuations, a comment ending its line', () => {
    const text = [
      'python sft.py --a \'one two\' --b "three \\"four\\"" \\',
      '  --c=five\\ six # a comment',
      '  --d x',
    ].join('\n');
    expect(words(text)).toEqual([
      ['python', 'sft.py', '--a', 'one two', '--b', 'three "four"', '--c=five six'],
      ['--d', 'x'],
    ]);
    expect(words('a \\\n  b \\\r\n c')).toEqual([['a', 'b', 'c']]);
  });

  it('ends commands at newlines, ;, && and ||; reads past pipes and redirections with a note', () => {
    const r = shellWords('a 1; b 2 && c 3 || d 4\ne 5 | tee log\nf 6 > out.log 2>&1');
    expect(r.commands.map((c) => c.words)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
      ['f', '6'],
    ]);
    expect(r.notes).toEqual([
      'line 2: a pipe (|) and what follows it are not read',
      'line 3: a redirection (>) and what follows it are not read',
    ]);
  });

  it('substitutes variables the text sets; an unset one or $(…) is a problem, never run', () => {
    const r = shellWords(
      `lr=2e-5\nname="my run"\ntrain.py --learning_rate \${lr} --run_name "$name" --x $HOME --y $(date)`,
    );
    expect(r.commands.map((c) => c.words)).toEqual([
      ['train.py', '--learning_rate', '2e-5', '--run_name', 'my run', '--x', '--y', '(date)'],
    ]);
    expect(r.problems).toEqual([
      'line 3: $HOME is not set in the pasted text; paste its value instead',
      'line 3: command substitution $(…) is not run here; paste the value instead',
    ]);
  });

  it('names an unclosed quote', () => {
    expect(shellWords("a 'b").problems).toEqual(["line 1: a ' quote is never closed"]);
    expect(shellWords('a\nb "c').problems).toEqual(['line 2: a " quote is never closed']);
  });
});
