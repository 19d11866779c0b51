using System.Diagnostics;

namespace HmacPortal.Tests.Support;

/// <summary>
/// A private nginx (Debian's package, installed by test.sh) on a free loopback port, spreading
/// requests round-robin over the given upstreams as the README's sample does, and naming the
/// upstream that answered in <c>X-Upstream</c>. Stopped (by the PID this started) on dispose.
/// </summary>
public sealed class NginxProcess : IDisposable
{
    public const string Program = "/usr/sbin/nginx";
    private readonly TempDirectory _dir = new();
    private readonly Process _process;

    public NginxProcess(IEnumerable<Uri> upstreams)
    {
        Assert.True(File.Exists(Program), "nginx is not installed: run the README's test command (it installs nginx)");
        Port = LoopbackPorts.Free();
        var servers = string.Concat(upstreams.Select(u => $"    server {u.Host}:{u.Port};\n"));
        var user = Environment.UserName == "root" ? "user root;" : string.Empty;
        File.WriteAllText(_dir.Combine("nginx.conf"), $$"""
            {{user}}
            worker_processes 1;
            pid {{_dir.Combine("nginx.pid")}};
            error_log {{_dir.Combine("error.log")}} warn;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{_dir.Combine("body")}};
              proxy_temp_path {{_dir.Combine("proxy")}};
              fastcgi_temp_path {{_dir.Combine("fastcgi")}};
              uwsgi_temp_path {{_dir.Combine("uwsgi")}};
              scgi_temp_path {{_dir.Combine("scgi")}};
              upstream hmacportal {
            {{servers}}  }
              server {
                listen 127.0.0.1:{{Port}};
                client_max_body_size 0;
                proxy_request_buffering off;
                proxy_buffering off;
                proxy_http_version 1.1;
                location / {
                  proxy_pass http://hmacportal;
                  proxy_set_header Host $host:$server_port;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  add_header X-Upstream $upstream_addr always;
                }
              }
            }
            """);
        _process = ChildProcess.Start(Program, "-p", _dir.Path, "-c", _dir.Combine("nginx.conf"), "-g", "daemon off;");
        Assert.True(SpinWait.SpinUntil(() => _process.HasExited || LoopbackPorts.Accepts(Port), TimeSpan.FromSeconds(30)), "nginx did not listen within 30 s");
        Assert.False(_process.HasExited, $"nginx exited: {File.ReadAllText(_dir.Combine("error.log"))}");
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        _dir.Dispose();
    }
}
