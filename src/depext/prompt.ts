// A yes/no question in opam-monorepo's style (`??? question [Y/n]`). Never blocks or crashes on a
// closed or non-terminal stdin: then the default answer is taken and the user is told so.
import { createInterface } from "node:readline";

export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

export interface ConfirmOptions {
  /** `-y`/`--yes`: answer yes without asking. */
  yes: boolean;
  /** The answer taken on a bare Enter, without a terminal, or at end of input. */
  defaultAnswer: boolean;
  streams: PromptStreams;
}

const RETRY = 'Please answer with "y" for yes, "n" for no or just hit enter for the default';

function parseAnswer(line: string, defaultAnswer: boolean): boolean | undefined {
  const answer = line.trim().toLowerCase();
  if (answer === "") return defaultAnswer;
  if (answer === "y" || answer === "yes") return true;
  if (answer === "n" || answer === "no") return false;
  return undefined;
}

function word(answer: boolean): string {
  return answer ? "yes" : "no";
}

/** Asks `question`; resolves to the answer. Reads stdin only when it is a terminal. */
export async function confirm(question: string, options: ConfirmOptions): Promise<boolean> {
  if (options.yes) return true;
  const { input, output } = options.streams;
  const prompt = `??? ${question} ${options.defaultAnswer ? "[Y/n]" : "[y/N]"} `;
  if (input.isTTY !== true) {
    output.write(`${prompt}\n(no terminal to answer on: taking the default answer, ${word(options.defaultAnswer)}; pass -y to answer yes)\n`);
    return options.defaultAnswer;
  }
  const lines = createInterface({ input, terminal: false });
  try {
    output.write(prompt);
    for await (const line of lines) {
      const answer = parseAnswer(line, options.defaultAnswer);
      if (answer !== undefined) return answer;
      output.write(`${RETRY}\n${prompt}`);
    }
    output.write(`\n(end of input: taking the default answer, ${word(options.defaultAnswer)})\n`);
    return options.defaultAnswer;
  } finally {
    lines.close();
  }
}
