namespace HmacPortal.Engine.Storage;

/// <summary>The Linux error numbers the storage code tells apart (the same on every architecture .NET runs on).</summary>
internal static class Errno
{
    public const int NoEnt = 2;
    public const int Exist = 17;
    public const int XDev = 18;
    public const int NotDir = 20;
    public const int IsDir = 21;
    public const int Inval = 22;
    public const int NoSpc = 28;
    public const int NoSys = 38;
    public const int OpNotSupp = 95;
    public const int DQuot = 122;
}
