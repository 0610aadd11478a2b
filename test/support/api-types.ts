// Generated from the OpenAPI document by openapi-typescript (npm run openapi -- --types). Do not edit.

export interface paths {
    "/todos": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your todos, oldest first, one page at a time */
        get: operations["listTodos"];
        put?: never;
        /** Create a todo */
        post: operations["createTodo"];
        /** Delete all of your todos */
        delete: operations["deleteAllTodos"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where to go from here (JSON); for browsers, the web app (a TodoMVC page) */
        get: operations["apiIndex"];
        put?: never;
        /** Create a todo (the tutorial's route; also takes {"todo": "text"}) */
        post: operations["createTodoTutorial"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/todos/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One of your todos */
        get: operations["getTodo"];
        put?: never;
        post?: never;
        /** Delete one of your todos */
        delete: operations["deleteTodo"];
        options?: never;
        head?: never;
        /** Change some fields of one of your todos */
        patch: operations["updateTodo"];
        trace?: never;
    };
    "/config.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How the web page signs in (public: it holds no secret) */
        get: operations["webConfig"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/app/{asset}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file of the web page (its script or stylesheet, with their licences' notices) */
        get: operations["webAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the API is up (for load balancers and uptime checks) */
        get: operations["health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI document, with your server URL */
        get: operations["openApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The interactive API reference (a web page) */
        get: operations["docsPage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs/{asset}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file of the reference page (its viewer's scripts, styles and licences) */
        get: operations["docsAsset"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Todo: {
            /** @description The todo's id, a ULID: it sorts in creation order. */
            id: string;
            /** @description What is to be done: 1 to 1000 characters of Unicode text after trimming (it is trimmed). */
            title: string;
            /** @description Whether it is done. */
            completed: boolean;
            /** @description A position of your choosing (any integer), to sort by; absent when it has none. */
            order?: number;
            /**
             * Format: uri
             * @description The todo's absolute URL (GET, PATCH or DELETE it).
             */
            url: string;
            /**
             * Format: date-time
             * @description When it was created (ISO 8601, UTC).
             */
            createdAt: string;
            /**
             * Format: date-time
             * @description When it was last changed (ISO 8601, UTC).
             */
            updatedAt: string;
            /** @description The todo's current entity tag, the value of the ETag header of GET /todos/{id}: send it as If-Match to change or delete the todo only if nobody changed it since (no need to read each todo of a list first). */
            etag: string;
        };
        NewTodo: {
            /** @description What is to be done: 1 to 1000 characters of Unicode text after trimming (it is trimmed). */
            title: string;
            /** @description Whether it is done. */
            completed?: boolean;
            /** @description A position of your choosing (any integer), to sort by; null or absent for none (null clears it). */
            order?: number | null;
        };
        TutorialNewTodo: {
            /** @description The tutorial's name for title. What is to be done: 1 to 1000 characters of Unicode text after trimming (it is trimmed). */
            todo: string;
            /** @description Whether it is done. */
            completed?: boolean;
            /** @description A position of your choosing (any integer), to sort by; null or absent for none (null clears it). */
            order?: number | null;
        };
        TodoPatch: {
            /** @description What is to be done: 1 to 1000 characters of Unicode text after trimming (it is trimmed). */
            title?: string;
            /** @description Whether it is done. */
            completed?: boolean;
            /** @description A position of your choosing (any integer), to sort by; null or absent for none (null clears it). */
            order?: number | null;
        };
        Problem: {
            /** @description What kind of problem: a URN of this API, e.g. urn:todo-api:problem:validation. */
            type: string;
            /** @description A short summary of the kind of problem. */
            title: string;
            /** @description The HTTP status. */
            status: number;
            /** @description What went wrong with this request (for a 5xx, only that it was the server, with the request id). */
            detail: string;
            /** @description For an invalid body: one entry per field that is wrong. */
            errors?: {
                field: string;
                message: string;
            }[];
            /** @description The request id, as in the apigw-requestid header; quote it when reporting a problem. */
            requestId: string;
        };
        GatewayMessage: {
            /** @description A message from API Gateway itself, which answered without running a function. */
            message: string;
        };
        Health: {
            /**
             * @description ok when the function runs (and the store answers, where it is asked); unavailable otherwise.
             * @enum {string}
             */
            status: "ok" | "unavailable";
            /** @description The version of the API. */
            version: string;
            /**
             * @description Whether the store answers; only where the health check may reach it (npm start), not on AWS, where the health function has no access to the table.
             * @enum {string}
             */
            store?: "ok" | "unavailable";
        };
        ApiIndex: {
            /** @description The name of the API. */
            name: string;
            /**
             * Format: uri
             * @description The interactive API reference.
             */
            docs: string;
            /**
             * Format: uri
             * @description This OpenAPI document.
             */
            openapi: string;
            /**
             * Format: uri
             * @description Your todos.
             */
            todos: string;
        };
        /** @description How the web page signs in. auth none: it does not. Otherwise OpenID Connect authorization code with PKCE, as the public client clientId of issuer, at the endpoints given (Cognito: the hosted UI of the stack's user pool) or at those the discovery document names (a path is relative to the page). */
        WebConfig: {
            /** @constant */
            auth: "none";
        } | {
            /** @enum {string} */
            auth: "cognito" | "oidc";
            issuer: string;
            clientId: string;
            discovery?: string;
            endpoints?: {
                /** Format: uri */
                authorization: string;
                /** Format: uri */
                token: string;
                /** Format: uri */
                logout?: string;
            };
        };
    };
    responses: {
        /** @description The request is malformed (body, query parameters, cursor or preconditions): nothing changed. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:validation",
                 *       "title": "Invalid request body",
                 *       "status": 400,
                 *       "detail": "The request body has invalid fields.",
                 *       "requestId": "sV0vFhh2bJaX7g==",
                 *       "errors": [
                 *         {
                 *           "field": "title",
                 *           "message": "must not be blank"
                 *         }
                 *       ]
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No token, or one that the authorizer refused; answered by API Gateway before any function. */
        Unauthorized: {
            headers: {
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "message": "Unauthorized"
                 *     }
                 */
                "application/json": components["schemas"]["GatewayMessage"];
            };
        };
        /** @description No such todo of yours (another user's todo is a 404 too). */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:not-found",
                 *       "title": "Not Found",
                 *       "status": 404,
                 *       "detail": "No todo with id \"01KB0N6ZQ3Y1V9W7F8H2J4M5P6\".",
                 *       "requestId": "sV0vFhh2bJaX7g=="
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description If-Match or If-None-Match does not hold: nothing changed. ETag is the current version. */
        PreconditionFailed: {
            headers: {
                ETag: components["headers"]["ETag"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:precondition-failed",
                 *       "title": "Precondition Failed",
                 *       "status": 412,
                 *       "detail": "The todo has changed since the version you named.",
                 *       "requestId": "sV0vFhh2bJaX7g=="
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description This deployment requires If-Match naming the version you read (requireIfMatch=true). */
        PreconditionRequired: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:precondition-required",
                 *       "title": "Precondition Required",
                 *       "status": 428,
                 *       "detail": "This API requires If-Match on writes.",
                 *       "requestId": "sV0vFhh2bJaX7g=="
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The body is over 16 KiB (a problem from the function), or over API Gateway's 10 MB (its own message). */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:payload-too-large",
                 *       "title": "Payload Too Large",
                 *       "status": 413,
                 *       "detail": "The body may be at most 16384 bytes.",
                 *       "requestId": "sV0vFhh2bJaX7g=="
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
                /**
                 * @example {
                 *       "message": "Request Entity Too Large"
                 *     }
                 */
                "application/json": components["schemas"]["GatewayMessage"];
            };
        };
        /** @description The request is over API Gateway's 10 MB (this route reads no body; answered by API Gateway). */
        GatewayPayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "message": "Request Entity Too Large"
                 *     }
                 */
                "application/json": components["schemas"]["GatewayMessage"];
            };
        };
        /** @description Over the API's rate or burst limit (API Gateway's throttling, before any function runs): retry later, with backoff. */
        TooManyRequests: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "message": "Too Many Requests"
                 *     }
                 */
                "application/json": components["schemas"]["GatewayMessage"];
            };
        };
        /** @description The body is not sent as JSON (Content-Type: application/json). */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:unsupported-media-type",
                 *       "title": "Unsupported Media Type",
                 *       "status": 415,
                 *       "detail": "Send the body as JSON.",
                 *       "requestId": "sV0vFhh2bJaX7g=="
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The store is briefly unavailable (throttled, failing or not answering) after the retries the function makes itself, within about 3 s: send the request again after Retry-After seconds (every request is safe to send again). Or API Gateway's own message when the API is overloaded. */
        ServiceUnavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:unavailable",
                 *       "title": "Service Unavailable",
                 *       "status": 503,
                 *       "detail": "The service is briefly unavailable: retry after 2 s. Quote the request id if it persists.",
                 *       "requestId": "sV0vFhh2bJaX7g=="
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
                /**
                 * @example {
                 *       "message": "Service Unavailable"
                 *     }
                 */
                "application/json": components["schemas"]["GatewayMessage"];
            };
        };
        /** @description API Gateway's own message when the API is overloaded: retry after Retry-After, if sent. */
        GatewayServiceUnavailable: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "message": "Service Unavailable"
                 *     }
                 */
                "application/json": components["schemas"]["GatewayMessage"];
            };
        };
        /** @description A fault of the server: a problem with only the request id (details are in the log), or API Gateway's own message when the function failed outright. */
        InternalServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "type": "urn:todo-api:problem:internal",
                 *       "title": "Internal Server Error",
                 *       "status": 500,
                 *       "detail": "The server failed to handle the request.",
                 *       "requestId": "sV0vFhh2bJaX7g=="
                 *     }
                 */
                "application/problem+json": components["schemas"]["Problem"];
                /**
                 * @example {
                 *       "message": "Internal Server Error"
                 *     }
                 */
                "application/json": components["schemas"]["GatewayMessage"];
            };
        };
    };
    parameters: {
        /** @description The id of one of your todos. */
        TodoId: string;
        /** @description Todos per page: 1 to 100 (default 100). */
        Limit: number;
        /** @description Only the completed todos (true), or only the open ones (false); all when absent. */
        Completed: boolean;
        /** @description Where the page starts: take it from the Link header of the page before, never build it. */
        Cursor: string;
        /** @description The ETag(s) of the todo as you last read it: the write applies only if it is still that version (412 otherwise). Required when the API is deployed with requireIfMatch=true (428 without it). */
        IfMatch: string;
        /** @description The write applies only if the todo is none of these versions (* : never). */
        IfNoneMatchWrite: string;
        /** @description Answer only if the current version is one of these (412 otherwise). */
        IfMatchRead: string;
        /** @description The ETag you have: 304 with no body while it is still current. */
        IfNoneMatch: string;
        /** @description A key of your choosing (1 to 255 printable ASCII characters, such as a UUID) that makes the create safe to retry: for 24 hours, the same key with the same body answers with the same todo, and creates nothing more. */
        IdempotencyKey: string;
    };
    requestBodies: never;
    headers: {
        /** @description The version of what is returned (a todo, or this exact page); send it in If-Match or If-None-Match. */
        ETag: string;
        /** @description The new todo's URL. */
        Location: string;
        /** @description The next page, as <url>; rel="next" (RFC 8288); absent on the last page. Follow it until it is absent: with ?completed=, a page may hold fewer todos than the limit, or none, and still have a next page. */
        Link: string;
        /** @description true when this is the answer to an earlier request with the same Idempotency-Key. */
        IdempotentReplayed: "true";
        /** @description Seconds to wait before retrying. */
        RetryAfter: number;
        /** @description How the answer may be cached. */
        CacheControl: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listTodos: {
        parameters: {
            query?: {
                /** @description Todos per page: 1 to 100 (default 100). */
                limit?: components["parameters"]["Limit"];
                /** @description Only the completed todos (true), or only the open ones (false); all when absent. */
                completed?: components["parameters"]["Completed"];
                /** @description Where the page starts: take it from the Link header of the page before, never build it. */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: {
                /** @description The ETag you have: 304 with no body while it is still current. */
                "If-None-Match"?: components["parameters"]["IfNoneMatch"];
                /** @description Answer only if the current version is one of these (412 otherwise). */
                "If-Match"?: components["parameters"]["IfMatchRead"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of your todos. */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    "Cache-Control": components["headers"]["CacheControl"];
                    Link: components["headers"]["Link"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example [
                     *       {
                     *         "id": "01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *         "title": "Buy milk",
                     *         "completed": false,
                     *         "order": 1,
                     *         "url": "https://api.example.com/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *         "createdAt": "2026-11-27T13:24:25.655Z",
                     *         "updatedAt": "2026-11-27T13:24:25.655Z",
                     *         "etag": "\"01KB0N6ZQ3Y1V9W7F8H2J4M5P6\""
                     *       }
                     *     ]
                     */
                    "application/json": components["schemas"]["Todo"][];
                };
            };
            /** @description Not modified: the If-None-Match names the current version (no body). */
            304: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    "Cache-Control": components["headers"]["CacheControl"];
                    Link: components["headers"]["Link"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createTodo: {
        parameters: {
            query?: never;
            header?: {
                /** @description A key of your choosing (1 to 255 printable ASCII characters, such as a UUID) that makes the create safe to retry: for 24 hours, the same key with the same body answers with the same todo, and creates nothing more. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "title": "Buy milk",
                 *       "order": 1
                 *     }
                 */
                "application/json": components["schemas"]["NewTodo"];
            };
        };
        responses: {
            /** @description Created (or, with an Idempotency-Key used before, the todo it created). */
            201: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    Location: components["headers"]["Location"];
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "title": "Buy milk",
                     *       "completed": false,
                     *       "order": 1,
                     *       "url": "https://api.example.com/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "createdAt": "2026-11-27T13:24:25.655Z",
                     *       "updatedAt": "2026-11-27T13:24:25.655Z",
                     *       "etag": "\"01KB0N6ZQ3Y1V9W7F8H2J4M5P6\""
                     *     }
                     */
                    "application/json": components["schemas"]["Todo"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            /** @description A request with this Idempotency-Key is still being processed: retry after Retry-After. */
            409: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description This Idempotency-Key was used with a different body. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteAllTodos: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted, all of them. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    apiIndex: {
        parameters: {
            query?: {
                /** @description The sign-in's answer to the web page (OAuth 2.0 authorization response): code. */
                code?: string;
                /** @description The sign-in's answer to the web page (OAuth 2.0 authorization response): state. */
                state?: string;
                /** @description The sign-in's answer to the web page (OAuth 2.0 authorization response): iss. */
                iss?: string;
                /** @description The sign-in's answer to the web page (OAuth 2.0 authorization response): error. */
                error?: string;
                /** @description The sign-in's answer to the web page (OAuth 2.0 authorization response): error_description. */
                error_description?: string;
                /** @description The sign-in's answer to the web page (OAuth 2.0 authorization response): error_uri. */
                error_uri?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Links to the docs, this document and your todos; or, to a browser, the web page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ApiIndex"];
                    "text/html": string;
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["GatewayServiceUnavailable"];
        };
    };
    createTodoTutorial: {
        parameters: {
            query?: never;
            header?: {
                /** @description A key of your choosing (1 to 255 printable ASCII characters, such as a UUID) that makes the create safe to retry: for 24 hours, the same key with the same body answers with the same todo, and creates nothing more. */
                "Idempotency-Key"?: components["parameters"]["IdempotencyKey"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "todo": "Walk the dog"
                 *     }
                 */
                "application/json": components["schemas"]["NewTodo"] | components["schemas"]["TutorialNewTodo"];
            };
        };
        responses: {
            /** @description Created (or, with an Idempotency-Key used before, the todo it created). */
            201: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    Location: components["headers"]["Location"];
                    "Idempotent-Replayed": components["headers"]["IdempotentReplayed"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "title": "Buy milk",
                     *       "completed": false,
                     *       "order": 1,
                     *       "url": "https://api.example.com/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "createdAt": "2026-11-27T13:24:25.655Z",
                     *       "updatedAt": "2026-11-27T13:24:25.655Z",
                     *       "etag": "\"01KB0N6ZQ3Y1V9W7F8H2J4M5P6\""
                     *     }
                     */
                    "application/json": components["schemas"]["Todo"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            /** @description A request with this Idempotency-Key is still being processed: retry after Retry-After. */
            409: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            /** @description This Idempotency-Key was used with a different body. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    getTodo: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag you have: 304 with no body while it is still current. */
                "If-None-Match"?: components["parameters"]["IfNoneMatch"];
                /** @description Answer only if the current version is one of these (412 otherwise). */
                "If-Match"?: components["parameters"]["IfMatchRead"];
            };
            path: {
                /** @description The id of one of your todos. */
                id: components["parameters"]["TodoId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The todo. */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    "Cache-Control": components["headers"]["CacheControl"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "title": "Buy milk",
                     *       "completed": false,
                     *       "order": 1,
                     *       "url": "https://api.example.com/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "createdAt": "2026-11-27T13:24:25.655Z",
                     *       "updatedAt": "2026-11-27T13:24:25.655Z",
                     *       "etag": "\"01KB0N6ZQ3Y1V9W7F8H2J4M5P6\""
                     *     }
                     */
                    "application/json": components["schemas"]["Todo"];
                };
            };
            /** @description Not modified: the If-None-Match names the current version (no body). */
            304: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    "Cache-Control": components["headers"]["CacheControl"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteTodo: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag(s) of the todo as you last read it: the write applies only if it is still that version (412 otherwise). Required when the API is deployed with requireIfMatch=true (428 without it). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description The write applies only if the todo is none of these versions (* : never). */
                "If-None-Match"?: components["parameters"]["IfNoneMatchWrite"];
            };
            path: {
                /** @description The id of one of your todos. */
                id: components["parameters"]["TodoId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            428: components["responses"]["PreconditionRequired"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    updateTodo: {
        parameters: {
            query?: never;
            header?: {
                /** @description The ETag(s) of the todo as you last read it: the write applies only if it is still that version (412 otherwise). Required when the API is deployed with requireIfMatch=true (428 without it). */
                "If-Match"?: components["parameters"]["IfMatch"];
                /** @description The write applies only if the todo is none of these versions (* : never). */
                "If-None-Match"?: components["parameters"]["IfNoneMatchWrite"];
            };
            path: {
                /** @description The id of one of your todos. */
                id: components["parameters"]["TodoId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "completed": true
                 *     }
                 */
                "application/json": components["schemas"]["TodoPatch"];
            };
        };
        responses: {
            /** @description The todo as changed. */
            200: {
                headers: {
                    ETag: components["headers"]["ETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "title": "Buy milk",
                     *       "completed": false,
                     *       "order": 1,
                     *       "url": "https://api.example.com/todos/01KB0N6ZQ3Y1V9W7F8H2J4M5P6",
                     *       "createdAt": "2026-11-27T13:24:25.655Z",
                     *       "updatedAt": "2026-11-27T13:24:25.655Z",
                     *       "etag": "\"01KB0N6ZQ3Y1V9W7F8H2J4M5P6\""
                     *     }
                     */
                    "application/json": components["schemas"]["Todo"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            428: components["responses"]["PreconditionRequired"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    webConfig: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sign-in settings of this deployment. */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["CacheControl"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "auth": "cognito",
                     *       "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
                     *       "clientId": "1example23456789",
                     *       "endpoints": {
                     *         "authorization": "https://todo-api-dev-123456789012.auth.us-east-1.amazoncognito.com/oauth2/authorize",
                     *         "token": "https://todo-api-dev-123456789012.auth.us-east-1.amazoncognito.com/oauth2/token",
                     *         "logout": "https://todo-api-dev-123456789012.auth.us-east-1.amazoncognito.com/logout"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["WebConfig"];
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["GatewayServiceUnavailable"];
        };
    };
    webAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                asset: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file; its name changes with its content, so it may be cached for a year. */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["CacheControl"];
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                    "text/css": string;
                };
            };
            400: components["responses"]["BadRequest"];
            /** @description No such file. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["GatewayServiceUnavailable"];
        };
    };
    health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Up. */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["CacheControl"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "status": "ok",
                     *       "version": "1.0.0"
                     *     }
                     */
                    "application/json": components["schemas"]["Health"];
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            /** @description The store does not answer (where it is checked), or API Gateway could not run the function ({"message":"Service Unavailable"}). */
            503: {
                headers: {
                    "Retry-After": components["headers"]["RetryAfter"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"] | components["schemas"]["GatewayMessage"];
                };
            };
        };
    };
    openApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI 3.1 document. */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["CacheControl"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["GatewayServiceUnavailable"];
        };
    };
    docsPage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            400: components["responses"]["BadRequest"];
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["GatewayServiceUnavailable"];
        };
    };
    docsAsset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                asset: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file; its name changes with its content, so it may be cached for a year. */
            200: {
                headers: {
                    "Cache-Control": components["headers"]["CacheControl"];
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                    "text/css": string;
                    /** @example The licence texts of the viewer. */
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            /** @description No such file. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            413: components["responses"]["GatewayPayloadTooLarge"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["GatewayServiceUnavailable"];
        };
    };
}
