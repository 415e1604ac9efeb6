/** The app's one API client: a 401 from any call goes to the login page, keeping the route. */
import { LOGIN_URL, createApi } from './api.js';

export const api = createApi({
  onUnauthenticated: () => location.assign(LOGIN_URL + location.hash),
});
