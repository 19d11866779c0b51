namespace HmacPortal.Engine.Protection;

/// <summary>A client address refused until <see cref="Until"/>.</summary>
public sealed record Ban(string Client, DateTimeOffset Since, DateTimeOffset Until, string Reason);
