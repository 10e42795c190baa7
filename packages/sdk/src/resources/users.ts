import type { CallOptions, Transport } from "../transport.js";
import type { InviteUserRequest, UpdateUserRequest, User, UserList } from "../types.js";

const at = (id: string) => `/api/v1/users/${encodeURIComponent(id)}`;

/** The people who sign in to the account's dashboard, and their roles. */
export class Users {
  constructor(private readonly transport: Transport) {}

  list(options: CallOptions = {}): Promise<UserList> {
    return this.transport.json({ method: "GET", path: "/api/v1/users", ...options });
  }

  get(id: string, options: CallOptions = {}): Promise<User> {
    return this.transport.json({ method: "GET", path: at(id), ...options });
  }

  /** Adds a person; they get an email with a link that signs them in once, within 7 days. */
  invite(request: InviteUserRequest, options: CallOptions = {}): Promise<User> {
    return this.transport.json({
      method: "POST",
      path: "/api/v1/users",
      body: request,
      ...options,
    });
  }

  update(id: string, patch: UpdateUserRequest, options: CallOptions = {}): Promise<User> {
    return this.transport.json({ method: "PATCH", path: at(id), body: patch, ...options });
  }

  /** Their sessions end at once. */
  async remove(id: string, options: CallOptions = {}): Promise<void> {
    await this.transport.send({ method: "DELETE", path: at(id), ...options });
  }
}
