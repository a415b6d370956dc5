//! eidgate in front of an app: HTTP/1.1 and h2 clients reach an HTTP/1.1 upstream over TCP or a
//! Unix socket, routes decide by longest prefix what a visitor without a card gets, paths that
//! could slip past a route are refused, and a down or slow upstream gets a 502 or 504 page.

mod support;

use support::upstream::TestUpstream;
use support::{card_args, curl, serve_with, temp_dir, with_card};

#[test]
fn card_holder_reaches_the_app_over_http1_and_h2_with_forwarding_headers() {
    let app = TestUpstream::tcp();
    let server = serve_with(
        "proxy-basic",
        &format!("[[route]]\nprefix = \"/\"\nupstream = \"{}\"\n", app.url()),
    );
    let card = card_args(&server, "valid");
    let host = format!("localhost:{}", server.addr.port());

    for (flag, version) in [("--http1.1", "1.1"), ("--http2", "2")] {
        let forged = ["-H", "X-Forwarded-For: 6.6.6.6", "-H", "Forwarded: for=6.6.6.6", "-i"];
        let mut args = with_card(&card, &forged);
        args.push(flag);
        let response = curl(&server, "/hello/w%C3%B6rld?x=1&y=%2F", &args);
        assert_eq!(response.status, 200, "{flag}: {}\n{}", response.stderr, server.log());
        assert_eq!(response.http_version, version);
        // The upstream's hop-by-hop Keep-Alive header does not reach the client.
        assert!(
            !response.body.to_ascii_lowercase().contains("keep-alive: timeout"),
            "{}",
            response.body
        );

        let seen = app.last();
        assert_eq!(seen.request_line(), "GET /hello/w%C3%B6rld?x=1&y=%2F HTTP/1.1", "{flag}");
        assert_eq!(seen.header("host").as_deref(), Some(host.as_str()), "{flag}");
        assert_eq!(seen.header("x-forwarded-for").as_deref(), Some("127.0.0.1"));
        assert_eq!(seen.header("x-forwarded-proto").as_deref(), Some("https"));
        assert_eq!(seen.header("x-forwarded-host").as_deref(), Some(host.as_str()));
        assert_eq!(seen.header("forwarded"), None);
        assert_eq!(seen.header("x-eid-given-name").as_deref(), Some("MARI-LIIS"));
    }
}

#[test]
fn hop_by_hop_headers_and_the_ones_connection_names_are_not_forwarded() {
    let app = TestUpstream::tcp();
    let server = serve_with(
        "proxy-hop",
        &format!("[[route]]\nprefix = \"/\"\nupstream = \"{}\"\n", app.url()),
    );
    let card = card_args(&server, "valid");
    let headers = [
        "--http1.1",
        "-H",
        "Connection: keep-alive, X-Private",
        "-H",
        "X-Private: 1",
        "-H",
        "TE: trailers",
        "-H",
        "X-Kept: yes",
    ];
    let response = curl(&server, "/", &with_card(&card, &headers));
    assert_eq!(response.status, 200, "{}", response.stderr);

    let seen = app.last();
    assert_eq!(seen.header("x-private"), None);
    assert_eq!(seen.header("te"), None);
    assert_eq!(seen.header("x-kept").as_deref(), Some("yes"));
}

#[test]
fn routes_decide_by_longest_prefix_what_a_visitor_without_a_card_gets() {
    let private = TestUpstream::tcp();
    let public = TestUpstream::tcp();
    let routes = format!(
        "[[route]]\nprefix = \"/\"\nupstream = \"{private}\"\n\
         [[route]]\nprefix = \"/public\"\nupstream = \"{public}\"\ncard = \"none\"\n\
         [[route]]\nprefix = \"/api/\"\nupstream = \"{public}/v1/\"\ncard = \"optional\"\n",
        private = private.url(),
        public = public.url()
    );
    let server = serve_with("proxy-routes", &routes);
    let card = card_args(&server, "valid");

    let refused = curl(&server, "/account", &[]);
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.body.contains("Please sign in with your ID-card"));
    assert_eq!(curl(&server, "/publicity", &[]).status, 401, "/public must not cover /publicity");

    let open = curl(&server, "/public/logo.svg", &[]);
    assert_eq!(open.status, 200, "{}", open.stderr);
    assert_eq!(public.last().request_line(), "GET /public/logo.svg HTTP/1.1");

    let anonymous = curl(&server, "/api/items", &[]);
    assert_eq!(anonymous.status, 200);
    let seen = public.last();
    assert_eq!(seen.request_line(), "GET /v1/items HTTP/1.1");
    assert_eq!(seen.header("x-eid-identifier"), None);

    curl(&server, "/api/items", &with_card(&card, &[]));
    assert_eq!(public.last().header("x-eid-identifier").as_deref(), Some("PNOEE-49103151230"));

    curl(&server, "/public/x", &with_card(&card, &[]));
    assert_eq!(public.last().header("x-eid-identifier"), None, "card = none sends no identity");

    let refused_card = curl(&server, "/account", &with_card(&card_args(&server, "expired"), &[]));
    assert_eq!(refused_card.status, 403);
    assert!(private.requests().is_empty(), "no request without an accepted card reached /");
}

#[test]
fn paths_that_could_slip_past_a_route_are_refused() {
    let app = TestUpstream::tcp();
    let routes = format!(
        "[[route]]\nprefix = \"/\"\nupstream = \"{url}\"\ncard = \"none\"\n\
         [[route]]\nprefix = \"/admin\"\nupstream = \"{url}\"\n",
        url = app.url()
    );
    let server = serve_with("proxy-paths", &routes);

    for path in
        ["/x/../admin", "/x/%2e%2e/admin", "/x%2F..%2Fadmin", "/%2Fadmin", "/x%5C..%5Cadmin"]
    {
        let response = curl(&server, path, &["--path-as-is"]);
        assert_eq!(response.status, 400, "{path}: {}", response.body);
    }
    // An escaped letter is the same path: it goes to the route that covers it.
    assert_eq!(curl(&server, "/%61dmin/users", &[]).status, 401);
    assert_eq!(curl(&server, "//admin", &["--path-as-is"]).status, 401);
    assert!(app.requests().is_empty(), "{:?}", app.requests());
    server.wait_for_log_line(&["request refused", "reason=\"bad-path\""]);

    assert_eq!(curl(&server, "/%7Euser/a%2Fb", &[]).status, 200);
    assert_eq!(app.last().request_line(), "GET /~user/a%2Fb HTTP/1.1");
}

#[test]
fn unix_socket_upstream_is_reached() {
    let dir = temp_dir("proxy-unix");
    let app = TestUpstream::unix(&dir.join("app.sock"));
    let server = serve_with(
        "proxy-unix-server",
        &format!("[[route]]\nprefix = \"/\"\nupstream = \"{}\"\n", app.url()),
    );
    let response = curl(&server, "/over/unix", &with_card(&card_args(&server, "valid"), &[]));
    assert_eq!(response.status, 200, "{}\n{}", response.stderr, server.log());
    assert_eq!(app.last().request_line(), "GET /over/unix HTTP/1.1");
}

#[test]
fn upstream_down_gets_502_and_slow_gets_504_each_with_a_page_and_a_log_line() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let slow = TestUpstream::tcp();
    let config = format!(
        "[proxy]\nresponse_timeout_secs = 1\n\
         [[route]]\nprefix = \"/down\"\nupstream = \"http://{closed}\"\n\
         [[route]]\nprefix = \"/slow\"\nupstream = \"{}\"\n",
        slow.url()
    );
    let server = serve_with("proxy-errors", &config);
    let card = card_args(&server, "valid");

    let down = curl(&server, "/down", &with_card(&card, &[]));
    assert_eq!(down.status, 502, "{}", down.body);
    assert!(down.body.contains("The service is not available"), "{}", down.body);
    server.wait_for_log_line(&[
        "upstream error",
        "reason=\"upstream-down\"",
        "route.prefix=\"/down\"",
    ]);

    let started = std::time::Instant::now();
    let timeout = curl(&server, "/slow", &with_card(&card, &[]));
    assert_eq!(timeout.status, 504, "{}", timeout.body);
    assert!(timeout.body.contains("taking too long"), "{}", timeout.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    server.wait_for_log_line(&["upstream error", "reason=\"upstream-timeout\""]);
}
