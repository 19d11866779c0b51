using System.Net;
using HmacPortal.Engine.Configuration;
using HmacPortal.Engine.Network;
using Microsoft.Extensions.Options;

namespace HmacPortal.Hosting;

/// <summary>
/// Sets the connection's remote address to the real client when the request came through a
/// trusted proxy ([server] trusted_proxies, read live); everything after it (records, logs, the
/// sign-in lockout) then sees the client, not the proxy.
/// </summary>
internal static class ForwardedClients
{
    public static WebApplication UseForwardedClients(this WebApplication app)
    {
        var server = app.Services.GetRequiredService<IOptionsMonitor<ServerOptions>>();
        var arrivals = app.Services.GetRequiredService<ArrivalCounts>();
        var parsed = new Parsed([], []);
        app.Use((context, next) =>
        {
            // Parsed once per configuration: an edit brings a new list, which is parsed on first use.
            var proxies = server.CurrentValue.TrustedProxies;
            var current = Volatile.Read(ref parsed);
            if (!ReferenceEquals(current.Source, proxies))
            {
                current = new Parsed(proxies, proxies.Select(p => ClientAddress.TryParseNetwork(p, out var network) ? network : (IPNetwork?)null).OfType<IPNetwork>().ToList());
                Volatile.Write(ref parsed, current);
            }

            var trusted = current.Networks;
            var peer = context.Connection.RemoteIpAddress;
            if (trusted.Count > 0)
            {
                var headers = context.Request.Headers;
                context.Connection.RemoteIpAddress = ClientAddress.Resolve(
                    peer, headers["X-Forwarded-For"].ToString(), headers["X-Real-IP"].ToString(), trusted);
            }

            arrivals.Count(viaProxy: !Equals(peer, context.Connection.RemoteIpAddress));

            return next(context);
        });
        return app;
    }

    private sealed record Parsed(List<string> Source, IReadOnlyList<IPNetwork> Networks);

    /// <summary>How requests arrived since start: through a trusted proxy (its header named the client) or directly.</summary>
    internal sealed class ArrivalCounts
    {
        private long _viaProxy;
        private long _direct;

        public long ViaProxy => Interlocked.Read(ref _viaProxy);

        public long Direct => Interlocked.Read(ref _direct);

        public void Count(bool viaProxy) => Interlocked.Increment(ref viaProxy ? ref _viaProxy : ref _direct);
    }
}
