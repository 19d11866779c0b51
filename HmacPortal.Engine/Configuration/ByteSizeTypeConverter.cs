using System.ComponentModel;
using System.Globalization;

namespace HmacPortal.Engine.Configuration;

/// <summary>Lets the configuration binder turn a size string into a <see cref="ByteSize"/>.</summary>
internal sealed class ByteSizeTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) =>
        sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string s ? ByteSize.Parse(s) : base.ConvertFrom(context, culture, value);
}
