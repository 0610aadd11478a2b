/**
 * The TODO page: TodoMVC's application (tastejs/todomvc app-spec.md: its markup, class names and behaviour) over
 * this API, for the signed-in person. Every change goes to the server first and the page shows what the server
 * answered; a change refused because the todo changed elsewhere shows a notice and the todo as it is now.
 */
import { type Api, createApi, Problem, type Todo } from './api.js';
import { completeSignIn, currentSession, type Session, type SignInConfig, signIn, signOut } from './auth.js';

type Filter = 'all' | 'active' | 'completed';

/** At most this many requests at once for "toggle all" and "clear completed". */
const PARALLEL = 6;

function element<T extends HTMLElement>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`The page has no ${selector}`);
  return found;
}

const ui = {
  app: element<HTMLElement>('.todoapp'),
  welcome: element<HTMLElement>('.welcome'),
  account: element<HTMLElement>('.account'),
  who: element<HTMLElement>('.account .who'),
  signIn: element<HTMLButtonElement>('#sign-in'),
  welcomeSignIn: element<HTMLButtonElement>('#welcome-sign-in'),
  signOut: element<HTMLButtonElement>('#sign-out'),
  error: element<HTMLElement>('#error'),
  notice: element<HTMLElement>('#notice'),
  newTodo: element<HTMLInputElement>('.new-todo'),
  main: element<HTMLElement>('.main'),
  toggleAll: element<HTMLInputElement>('.toggle-all'),
  list: element<HTMLUListElement>('.todo-list'),
  footer: element<HTMLElement>('.footer'),
  count: element<HTMLElement>('.todo-count'),
  filters: element<HTMLElement>('.filters'),
  clearCompleted: element<HTMLButtonElement>('.clear-completed'),
};

let config: SignInConfig = { auth: 'none' };
let session: Session | undefined;
let api: Api;
let todos: Todo[] = [];
let editing: string | undefined;
/** True while the list is rebuilt: the edit field it removes then loses focus, which is not the person leaving it. */
let rendering = false;
/** Each todo's pending changes, one after another: each starts from the version the one before it left. */
const queues = new Map<string, Promise<unknown>>();

function filter(): Filter {
  const route = location.hash.replace(/^#\/?/, '');
  return route === 'active' || route === 'completed' ? route : 'all';
}

/** Shows a problem in words (never an alert box); an empty text clears it. */
function showError(text: string): void {
  ui.error.textContent = text;
}

function showNotice(text: string): void {
  ui.notice.textContent = text;
}

function describe(error: unknown): string {
  if (error instanceof Problem) {
    // A fault's request id lets whoever runs the API find its log line.
    return error.status >= 500 && error.requestId ? `${error.detail} (request id ${error.requestId})` : error.detail;
  }
  return error instanceof Error ? error.message : String(error);
}

/** What every failed change does: a changed todo is shown as it is now; an expired session asks to sign in again. */
function failed(error: unknown, todo?: Todo): void {
  // Changed elsewhere (412, with the todo as it is now) or deleted elsewhere (404, or a 412 that found it gone).
  if (error instanceof Problem && (error.status === 412 || error.status === 404) && todo) {
    if (error.current) replace(error.current);
    else todos = todos.filter((t) => t.id !== todo.id);
    showNotice(
      error.current
        ? `“${todo.title}” was changed elsewhere, so your change was not saved. It now shows the latest version.`
        : `“${todo.title}” was deleted elsewhere.`,
    );
    render();
    return;
  }
  if (error instanceof Problem && error.status === 401 && config.auth !== 'none') {
    void signOut({ auth: 'none' }).then(() => {
      session = undefined;
      showSignedOut('Your session has ended: sign in again.');
    });
    return;
  }
  showError(describe(error));
}

function replace(todo: Todo): void {
  todos = todos.map((t) => (t.id === todo.id ? todo : t));
}

/** Runs `change` after the todo's pending changes, with the todo as they left it (skipped if it is gone). */
function enqueue(id: string, change: (todo: Todo) => Promise<void>): Promise<void> {
  const previous = queues.get(id) ?? Promise.resolve();
  const next = previous.then(async () => {
    const todo = todos.find((t) => t.id === id);
    if (!todo) return;
    try {
      await change(todo);
    } catch (error) {
      failed(error, todo);
    }
  });
  queues.set(id, next);
  void next.finally(() => {
    if (queues.get(id) === next) queues.delete(id);
  });
  return next;
}

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const worker = async () => {
    while (index < items.length) {
      const item = items[index++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

function setCompleted(id: string, completed: boolean): Promise<void> {
  return enqueue(id, async (todo) => {
    if (todo.completed === completed) return;
    replace(await api.update(todo, { completed }));
    render();
  });
}

function destroy(id: string): Promise<void> {
  return enqueue(id, async (todo) => {
    await api.remove(todo);
    todos = todos.filter((t) => t.id !== todo.id);
    render();
  });
}

function save(id: string, text: string): Promise<void> {
  const title = text.trim();
  if (title === '') return destroy(id);
  return enqueue(id, async (todo) => {
    if (todo.title === title) return;
    replace(await api.update(todo, { title }));
    render();
  });
}

function startEditing(id: string): void {
  editing = id;
  render();
  const input = ui.list.querySelector<HTMLInputElement>(`li[data-id="${CSS.escape(id)}"] .edit`);
  if (input) {
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }
}

function stopEditing(input: HTMLInputElement, keep: boolean): void {
  const id = editing;
  if (!id) return;
  editing = undefined;
  // Removing the field blurs it: that blur must not save what Escape just cancelled.
  if (keep) void save(id, input.value);
  render();
  ui.list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"] label`)?.focus();
}

function todoItem(todo: Todo): HTMLLIElement {
  const item = document.createElement('li');
  item.dataset.id = todo.id;
  if (todo.completed) item.classList.add('completed');
  const view = document.createElement('div');
  view.className = 'view';
  const toggle = document.createElement('input');
  toggle.className = 'toggle';
  toggle.type = 'checkbox';
  toggle.checked = todo.completed;
  toggle.setAttribute('aria-label', `Completed: ${todo.title}`);
  const label = document.createElement('label');
  label.textContent = todo.title;
  // Double-click edits (TodoMVC); so does Enter on the focused title, for keyboards.
  label.tabIndex = 0;
  label.title = 'Double-click (or press Enter) to edit';
  const remove = document.createElement('button');
  remove.className = 'destroy';
  remove.type = 'button';
  remove.setAttribute('aria-label', `Delete: ${todo.title}`);
  view.append(toggle, label, remove);
  item.append(view);
  if (editing === todo.id) {
    item.classList.add('editing');
    const edit = document.createElement('input');
    edit.className = 'edit';
    edit.value = todo.title;
    edit.setAttribute('aria-label', `Edit: ${todo.title}`);
    item.append(edit);
  }
  return item;
}

function restoreFocus(id: string | undefined, control: string, position: number): void {
  const item = ui.list.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id ?? '')}"]`);
  const selector = control === 'LABEL' ? 'label' : `.${control.split(' ')[0]}`;
  const target = item?.querySelector<HTMLElement>(selector) ?? item?.querySelector<HTMLElement>('label');
  if (target) {
    target.focus();
    return;
  }
  const items = ui.list.querySelectorAll<HTMLElement>('li');
  const next = items[Math.min(Math.max(position, 0), items.length - 1)];
  (next?.querySelector<HTMLElement>('label') ?? ui.newTodo).focus();
}

function render(): void {
  const current = filter();
  const shown = todos.filter((t) => (current === 'all' ? true : current === 'completed' ? t.completed : !t.completed));
  // A todo being edited keeps what was typed so far when the list is rebuilt around it; and whatever had the focus
  // in the list (a title, a toggle, a delete button, the edit field) has it again, or, when its todo is gone, the
  // next todo's title does, so that a keyboard user is never sent back to the top of the page.
  const typing = ui.list.querySelector<HTMLInputElement>('.edit');
  const draft = typing && editing ? typing.value : undefined;
  const focused = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const focusedItem = focused && ui.list.contains(focused) ? focused.closest('li') : undefined;
  const focus =
    focusedItem && focused ? { id: focusedItem.dataset.id, control: focused.className || focused.tagName } : undefined;
  const position = focusedItem ? [...ui.list.children].indexOf(focusedItem) : -1;
  rendering = true;
  try {
    ui.list.replaceChildren(...shown.map(todoItem));
  } finally {
    rendering = false;
  }
  const edit = ui.list.querySelector<HTMLInputElement>('.edit');
  if (edit && draft !== undefined) edit.value = draft;
  if (focus) restoreFocus(focus.id, focus.control, position);
  const left = todos.filter((t) => !t.completed).length;
  const done = todos.length - left;
  ui.main.hidden = todos.length === 0;
  ui.footer.hidden = todos.length === 0;
  ui.toggleAll.checked = todos.length > 0 && left === 0;
  const strong = document.createElement('strong');
  strong.textContent = String(left);
  ui.count.replaceChildren(strong, ` ${left === 1 ? 'item' : 'items'} left`);
  ui.clearCompleted.hidden = done === 0;
  for (const link of ui.filters.querySelectorAll<HTMLAnchorElement>('a')) {
    const selected = link.getAttribute('href') === (current === 'all' ? '#/' : `#/${current}`);
    link.classList.toggle('selected', selected);
    if (selected) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

async function load(): Promise<void> {
  try {
    todos = await api.list();
    render();
  } catch (error) {
    failed(error);
  }
}

function showSignedOut(message = ''): void {
  // Nothing of the last user stays in the page, not even hidden.
  todos = [];
  editing = undefined;
  render();
  ui.app.hidden = true;
  ui.welcome.hidden = false;
  ui.signIn.hidden = false;
  ui.signOut.hidden = true;
  ui.who.textContent = '';
  showError(message);
}

function showSignedIn(): void {
  ui.welcome.hidden = true;
  ui.app.hidden = false;
  ui.account.hidden = config.auth === 'none';
  ui.signIn.hidden = true;
  ui.signOut.hidden = config.auth === 'none';
  ui.who.textContent = session ? `Signed in as ${session.name}` : '';
  render();
  ui.newTodo.focus();
}

function wire(): void {
  ui.newTodo.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    const title = ui.newTodo.value.trim();
    if (title === '') return;
    ui.newTodo.value = '';
    showError('');
    api.create(title).then(
      (todo) => {
        todos.push(todo);
        render();
      },
      (error: unknown) => {
        // The text comes back, so that nothing typed is lost.
        if (ui.newTodo.value === '') ui.newTodo.value = title;
        failed(error);
      },
    );
  });

  ui.toggleAll.addEventListener('change', () => {
    const completed = ui.toggleAll.checked;
    void inParallel(
      todos.filter((t) => t.completed !== completed).map((t) => t.id),
      (id) => setCompleted(id, completed),
    );
  });

  ui.clearCompleted.addEventListener('click', () => {
    void inParallel(
      todos.filter((t) => t.completed).map((t) => t.id),
      (id) => destroy(id),
    );
  });

  ui.list.addEventListener('change', (event) => {
    const target = event.target as HTMLElement;
    const id = target.closest('li')?.dataset.id;
    if (id && target.classList.contains('toggle')) void setCompleted(id, (target as HTMLInputElement).checked);
  });

  ui.list.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    const id = target.closest('li')?.dataset.id;
    if (id && target.classList.contains('destroy')) void destroy(id);
  });

  ui.list.addEventListener('dblclick', (event) => {
    const target = event.target as HTMLElement;
    const id = target.closest('li')?.dataset.id;
    if (id && target.tagName === 'LABEL') startEditing(id);
  });

  ui.list.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement;
    if (target.tagName === 'LABEL' && event.key === 'Enter') {
      const id = target.closest('li')?.dataset.id;
      if (id) startEditing(id);
    } else if (target.classList.contains('edit')) {
      if (event.key === 'Enter' && !event.isComposing) stopEditing(target as HTMLInputElement, true);
      else if (event.key === 'Escape') stopEditing(target as HTMLInputElement, false);
    }
  });

  ui.list.addEventListener('focusout', (event) => {
    const target = event.target as HTMLElement;
    if (target.classList.contains('edit') && editing && !rendering) stopEditing(target as HTMLInputElement, true);
  });

  window.addEventListener('hashchange', render);

  const startSignIn = () => {
    if (config.auth === 'none') return;
    showError('');
    signIn(config).catch((error: unknown) => showError(`Signing in failed: ${describe(error)}`));
  };
  ui.signIn.addEventListener('click', startSignIn);
  ui.welcomeSignIn.addEventListener('click', startSignIn);
  ui.signOut.addEventListener('click', () => {
    signOut(config).then(
      () => {
        session = undefined;
        showSignedOut();
      },
      (error: unknown) => showError(describe(error)),
    );
  });
}

async function start(): Promise<void> {
  const base = new URL('./', location.href);
  api = createApi(base, { token: () => session?.idToken });
  wire();
  try {
    const response = await fetch(new URL('config.json', base));
    if (!response.ok) throw new Error(`GET config.json answered ${response.status}`);
    config = (await response.json()) as SignInConfig;
  } catch (error) {
    showError(`The page cannot start: ${describe(error)}`);
    return;
  }
  if (config.auth !== 'none') {
    try {
      session = (await completeSignIn(config)) ?? currentSession();
    } catch (error) {
      showSignedOut(`Signing in failed: ${describe(error)}`);
      return;
    }
    if (!session) {
      showSignedOut();
      return;
    }
  }
  showSignedIn();
  await load();
}

void start();
