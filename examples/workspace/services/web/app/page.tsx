import { connection } from "next/server";
import { formatCreatedAt } from "@drydock-workspace/shared";
import { fetchNotes } from "@/lib/backend";

/** The notes, fetched from the backend on every request. */
export default async function NotesPage() {
  // Render at request time, never at build time: the backend does not exist during `next build`.
  await connection();
  const result = await fetchNotes();

  return (
    <main>
      <header>
        <h1>Notes</h1>
      </header>
      {!result.ok ? (
        <p className="problem" role="alert">
          {result.problem}
        </p>
      ) : result.notes.length === 0 ? (
        <p>No notes yet. Add one with POST /notes on the backend.</p>
      ) : (
        <ul>
          {result.notes.map((note) => (
            <li key={note.id} className="note">
              <strong>{note.title}</strong>
              {note.body !== null && <p>{note.body}</p>}
              <time dateTime={note.createdAt}>{formatCreatedAt(note.createdAt)}</time>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
