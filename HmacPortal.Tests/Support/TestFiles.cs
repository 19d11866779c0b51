namespace HmacPortal.Tests.Support;

/// <summary>Files under TestData/, copied next to the test assembly.</summary>
public static class TestFiles
{
    public static string PathOf(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    /// <summary>
    /// A minimal valid config with a strong secret and storage in <paramref name="root"/>, plus
    /// <paramref name="server"/> and <paramref name="security"/> lines in those tables and
    /// <paramref name="extra"/> tables after them.
    /// </summary>
    public static string MinimalConfig(string root, string extra = "", string server = "", string security = "") => $"""
        [server]
        {server}
        listen_address = "0"
        storage_path = "{root}/files"
        data_path = "{root}/state"

        [security]
        {security}
        secret = "test-secret-0123456789abcdef"

        {extra}
        """;
}
