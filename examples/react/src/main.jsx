import { StrictMode, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
// Registers <atrium-chat> (the npm build of the widget; a page may also load /widget.js instead).
import '@atrium/widget';

// Set when the page is built (build.mjs): the Atrium server and the widget's public key.
const ATRIUM_URL = process.env.ATRIUM_URL;
const WIDGET_KEY = process.env.ATRIUM_WIDGET_KEY;

function HelpChat() {
  const chat = useRef(null);
  const [answers, setAnswers] = useState(0);

  // The widget's DOM events, typed in @atrium/widget: here, count the answers.
  useEffect(() => {
    const element = chat.current;
    const onMessage = (event) => {
      if (event.detail.role === 'assistant') setAnswers((n) => n + 1);
    };
    element.addEventListener('atrium-message', onMessage);
    return () => element.removeEventListener('atrium-message', onMessage);
  }, []);

  return (
    <section aria-labelledby="help-title">
      <h2 id="help-title">Ask our assistant</h2>
      <p>
        Answers so far: <output data-testid="answers">{answers}</output>{' '}
        <button type="button" onClick={() => chat.current.reset()}>
          Start over
        </button>
      </p>
      <div className="chat-frame">
        <atrium-chat ref={chat} public-key={WIDGET_KEY} base-url={ATRIUM_URL} mode="inline" lang="en"></atrium-chat>
      </div>
    </section>
  );
}

function App() {
  return (
    <main>
      <h1>Acme Shop</h1>
      <p>A React page with Atrium's <code>&lt;atrium-chat&gt;</code> web component.</p>
      <HelpChat />
    </main>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
