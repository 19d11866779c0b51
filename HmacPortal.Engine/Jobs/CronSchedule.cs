using Cronos;

namespace HmacPortal.Engine.Jobs;

/// <summary>Cron schedules of the recurring jobs: five fields (minute hour day month weekday), or six with seconds first, in UTC.</summary>
public static class CronSchedule
{
    public static bool IsValid(string? schedule, out string error)
    {
        error = string.Empty;
        try
        {
            var fields = (schedule ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            CronExpression.Parse(schedule ?? string.Empty, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{schedule}' is not a cron schedule such as \"*/5 * * * *\" ({ex.Message.TrimEnd('.')})";
            return false;
        }
    }
}
