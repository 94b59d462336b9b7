/** Short headed sections for the demo's human output. */
export interface DemoOutput {
  section(title: string): void;
  line(text?: string): void;
}

export function createDemoOutput(write: (line: string) => void): DemoOutput {
  let step = 0;
  return {
    section(title) {
      step += 1;
      write('');
      write(`── ${step}. ${title} ${'─'.repeat(Math.max(4, 60 - title.length))}`);
    },
    line(text = '') {
      write(text === '' ? '' : `   ${text.split('\n').join('\n   ')}`);
    },
  };
}
